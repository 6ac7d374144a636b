// The names every part of the till agrees on: the product's folder name and the database file.
export const PRODUCT_NAME = 'POS Companion';
export const DB_FILE_NAME = 'pos-companion.db';
/** The identity file beside the database (main/config/identity.ts): till id, settings and keys kept apart from it. */
export const IDENTITY_FILE_NAME = 'till.json';
