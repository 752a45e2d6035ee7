// SqlError, SqlState and the error factories in one import.
export * from './sql-state.ts';
export * from './sql-error.ts';
export * from './factories.ts';
