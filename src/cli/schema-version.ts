/**
 * The version of the CLI's JSON layout (schemas.ts): it goes up when a field changes meaning or
 * goes away. Its own module, so that printing JSON does not load zod.
 */
export const SCHEMA_VERSION = 1;
