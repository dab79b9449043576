/**
 * Imported first by main.tsx: the page's Content-Security-Policy forbids eval, so zod must
 * not probe for it, and it probes when the first object schema is built (at import time of
 * src/engine/trace-schema.ts).
 */
import { z } from 'zod';

z.config({ jitless: true });
