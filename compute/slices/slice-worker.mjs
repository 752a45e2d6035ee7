// Worker bootstrap: TypeScript runs through tsx (as in bin/colonnade.mjs), whose loader hooks are
// registered per thread, so each slice worker registers them before loading its code.
import { register } from 'tsx/esm/api';

register();
await import('./slice-worker.ts');
