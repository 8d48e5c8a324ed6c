import { db } from '../db/instance.js';
import { PhotoTrainingSession } from './photo-training.svelte.js';

/** The app's one photo training session (kept outside any screen, like the table one). */
export const photoTraining = new PhotoTrainingSession(db);
