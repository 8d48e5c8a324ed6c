import { db } from '../db/instance.js';
import { training } from '../runs/session.js';
import { SearchSession } from './search.svelte.js';

/** The app's one search session, beside its one training session (they take turns). */
export const search = new SearchSession(db, training);
