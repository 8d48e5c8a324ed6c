/** Separators a CSV file may use, in the order preferred on a tie, with their names for a screen. */
export const SEPARATORS = [',', ';', '\t', '|'] as const;
export const SEPARATOR_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'vertical bar' };
