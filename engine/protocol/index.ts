// Public surface of the engine protocol: message types, validators and the wire encoding of bytes.
export * from './messages';
export * from './validate';
export * from './base64';
export * from './host-messages';
