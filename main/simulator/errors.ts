// Gameball's error answers: `{ code, type, message, documentationUrl, requestId }` with the HTTP
// status Gameball documents for each code. Gameball's own pages spell `type` two ways
// ("PAYLOAD_ERROR" and "Payload Error"); the simulator answers in one style per instance
// (option `errorTypeStyle`) so clients can be tested against both.

export type ErrorTypeStyle = 'upper' | 'title';

export interface GameballErrorBody {
  code: number;
  type: string;
  message: string;
  documentationUrl: string;
  requestId: string;
}

export const CODES = {
  unauthorized: 1000,
  secretKeyRequired: 1001,
  concurrentRequest: 2001,
  missingField: 3000,
  invalidValue: 3003,
  unsupportedContentType: 3013,
  malformedJson: 3016,
  notFound: 4004,
  rateLimited: 4290,
  serverError: 5000,
  serviceUnavailable: 5003,
  transactionTimeExists: 9003,
  transactionIdExists: 9004,
  orderNotFound: 9005,
  timeNotValid: 9007,
  // Holds of points: Gameball documents no codes for these; the simulator's own (docs/simulator.md).
  insufficientPoints: 6001,
  holdNotFound: 6002,
  holdExpired: 6003,
  holdUsed: 6004,
} as const;

const TYPES: Record<number, [upper: string, title: string]> = {
  1000: ['UNAUTHORIZED', 'Unauthorized'],
  1001: ['UNAUTHORIZED', 'Unauthorized'],
  2001: ['CONCURRENCY_ERROR', 'Concurrency Error'],
  3000: ['PAYLOAD_ERROR', 'Payload Error'],
  3003: ['PAYLOAD_ERROR', 'Payload Error'],
  3013: ['PAYLOAD_ERROR', 'Payload Error'],
  3016: ['PAYLOAD_ERROR', 'Payload Error'],
  4004: ['NOT_FOUND', 'Not Found'],
  4290: ['RATE_LIMIT', 'Rate Limit'],
  5000: ['SERVER_ERROR', 'Server Error'],
  5003: ['SERVER_ERROR', 'Server Error'],
  9003: ['TRANSACTION_ERROR', 'Transaction Error'],
  9004: ['TRANSACTION_ERROR', 'Transaction Error'],
  9005: ['NOT_FOUND', 'Not Found'],
  9007: ['TRANSACTION_ERROR', 'Transaction Error'],
  6001: ['REDEMPTION_ERROR', 'Redemption Error'],
  6002: ['REDEMPTION_ERROR', 'Redemption Error'],
  6003: ['REDEMPTION_ERROR', 'Redemption Error'],
  6004: ['REDEMPTION_ERROR', 'Redemption Error'],
};

/** A rule refused the request: becomes an error answer with `status` and Gameball `code`. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
}

export function errorBody(code: number, message: string, requestId: string, style: ErrorTypeStyle): GameballErrorBody {
  const names = TYPES[code] ?? ['ERROR', 'Error'];
  return {
    code,
    type: style === 'title' ? names[1] : names[0],
    message,
    documentationUrl: `https://docs.gameball.co/api-reference/errors#${code}`,
    requestId,
  };
}
