/**
 * File names that hold credentials more often than not. sync-frontend leaves them out unless
 * `frontend.include` names them, and warns when it does.
 */
export const SECRET_GLOBS = ['.env*', '*.pem', '*.key', 'id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*'];

/** Names these globs are meant to catch: an include glob that matches one would publish such a file. */
export const SECRET_EXAMPLES = [
  '.env',
  '.env.production',
  'server.pem',
  'private.key',
  'id_rsa',
  'id_ed25519',
];
