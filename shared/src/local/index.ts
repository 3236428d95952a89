// Helpers of the local tools (emulator, sandbox): never used by the cloud functions.
export * from './dir-lock';
export * from './loopback';
