// The scalar function library: one file per function (or family), registered here by SQL name.
// Core operators (+, =, LIKE, ...) and the first functions live in ../scalar-functions.ts; an entry
// here with the same name replaces that one.
import type { ScalarFunction } from '../scalar-functions.ts';

/** Library functions by lower-case SQL name. */
export const SCALAR_LIBRARY: Record<string, ScalarFunction> = {};
