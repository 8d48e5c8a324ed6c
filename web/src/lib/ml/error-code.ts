import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '@shared/errors.js';

/** An error code from the shared catalogue, as carried by every worker's error message. */
export const ErrorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);
