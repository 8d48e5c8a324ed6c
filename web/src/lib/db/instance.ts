import { OutpostDb } from './db.js';

/** The app's one database. Tests and the headless client make their own `OutpostDb`. */
export const db = new OutpostDb();
