const ML_DETAILS_KEY = 'outpost.mlDetails';

/**
 * How the screens speak about models. Off by default (the field view): plain words such as "how
 * often it is right"; on, the ML terms (epochs, F1, log loss, AUC) are shown beside them. Kept on
 * this device.
 */
class Prefs {
  mlDetails = $state(read());

  setMlDetails(on: boolean) {
    this.mlDetails = on;
    try {
      localStorage.setItem(ML_DETAILS_KEY, on ? '1' : '0');
    } catch {
      // Kept until the page closes.
    }
  }
}

function read(): boolean {
  try {
    return globalThis.localStorage?.getItem(ML_DETAILS_KEY) === '1';
  } catch {
    return false;
  }
}

export const prefs = new Prefs();
