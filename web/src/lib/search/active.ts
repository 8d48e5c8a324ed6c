/**
 * The `kv` key naming the study this device is running. Kept apart from synced data: only the
 * device that ran a search resumes it. Its own module so the app's start can read it without
 * loading the search.
 */
export const ACTIVE_KEY = 'search.active';
