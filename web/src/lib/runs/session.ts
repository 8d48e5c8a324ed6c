import { db } from '../db/instance.js';
import { TrainingSession } from './training.svelte.js';

/** The app's one training session. */
export const training = new TrainingSession(db);
