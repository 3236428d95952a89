// Errors raised by the embedded database. `code` is the backend's string code, as the real database service
// returns it; the wx-server-sdk stand-in maps it to the numeric errCode functions see (CloudBase notes §3.4,
// §4.4: unmapped codes become -501001).

export type DbErrorCode =
  | 'DATABASE_COLLECTION_NOT_EXIST'
  | 'DATABASE_COLLECTION_ALREADY_EXIST'
  | 'DATABASE_REQUEST_FAILED'
  | 'DATABASE_DUPLICATE_WRITE'
  | 'DATABASE_INVALID_COMMAND'
  | 'DATABASE_TRANSACTION_CONFLICT'
  | 'DATABASE_TRANSACTION_FAIL'
  | 'INVALID_PARAM';

export class DbError extends Error {
  override readonly name = 'DbError';
  constructor(
    readonly code: DbErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const collectionNotFound = (): DbError =>
  // Text as a deployed function reports it (spec §4.4, ISS-404011).
  new DbError(
    'DATABASE_COLLECTION_NOT_EXIST',
    '[ResourceNotFound] Db or Table not exist. Please check your request, but if the problem persists, contact us.',
  );

export const duplicateKey = (collection: string, id: string): DbError =>
  // The exact cloud text is unconfirmed (spec §4.4, §10 item 6); MongoDB's E11000 wording is what the
  // backend is expected to pass through.
  new DbError(
    'DATABASE_DUPLICATE_WRITE',
    `[FailedOperation] E11000 duplicate key error collection: ${collection} index: _id_ dup key: { _id: "${id}" }`,
  );

export const invalidCommand = (detail: string): DbError => new DbError('DATABASE_INVALID_COMMAND', detail);
export const invalidParam = (detail: string): DbError => new DbError('INVALID_PARAM', detail);

export const collectionExists = (name: string): DbError =>
  // Exact cloud text unconfirmed; the code is not in wx-server-sdk's table, so functions see -501001.
  new DbError('DATABASE_COLLECTION_ALREADY_EXIST', `[ResourceInUse] Collection ${name} already exists.`);
