// Models: include/uapi/asm-generic/errno-base.h @ v7.0: the error numbers the model returns.
export const EPERM = 1;
export const ESRCH = 3;
export const EINTR = 4;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const EFAULT = 14;
