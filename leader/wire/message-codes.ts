// Message type bytes of the PostgreSQL v3 protocol, and the special startup-phase request codes.
// @see https://www.postgresql.org/docs/15/protocol-message-formats.html

/** Type bytes of messages the frontend (client) sends once the startup packet is accepted. */
export const FrontendCode = {
  Bind: 0x42, // B
  Close: 0x43, // C
  Describe: 0x44, // D
  Execute: 0x45, // E
  FunctionCall: 0x46, // F
  Flush: 0x48, // H
  Parse: 0x50, // P
  Query: 0x51, // Q
  Sync: 0x53, // S
  Terminate: 0x58, // X
  CopyDone: 0x63, // c
  CopyData: 0x64, // d
  CopyFail: 0x66, // f
  /** PasswordMessage, SASLInitialResponse and SASLResponse all use 'p'. */
  Password: 0x70, // p
} as const;

/** Type bytes of messages the backend (server) sends. */
export const BackendCode = {
  ParseComplete: 0x31, // 1
  BindComplete: 0x32, // 2
  CloseComplete: 0x33, // 3
  CommandComplete: 0x43, // C
  DataRow: 0x44, // D
  ErrorResponse: 0x45, // E
  CopyInResponse: 0x47, // G
  CopyOutResponse: 0x48, // H
  EmptyQueryResponse: 0x49, // I
  BackendKeyData: 0x4b, // K
  NoticeResponse: 0x4e, // N
  Authentication: 0x52, // R
  ParameterStatus: 0x53, // S
  RowDescription: 0x54, // T
  ReadyForQuery: 0x5a, // Z
  CopyDone: 0x63, // c
  CopyData: 0x64, // d
  NoData: 0x6e, // n
  PortalSuspended: 0x73, // s
  ParameterDescription: 0x74, // t
  NegotiateProtocolVersion: 0x76, // v
} as const;

/** The "protocol version" field values of the untyped packets a client may send first. */
export const StartupCode = {
  /** Protocol 3.0 StartupMessage: major 3 in the high 16 bits. */
  Protocol30: 196608,
  CancelRequest: 80877102,
  SslRequest: 80877103,
  GssEncRequest: 80877104,
} as const;

/** Lookup table of every frontend type byte we recognise; the frame decoder rejects others at once. */
export const KNOWN_FRONTEND_CODES: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (const code of Object.values(FrontendCode)) table[code] = 1;
  return table;
})();

/** A printable name for a type byte in log lines and error messages. */
export function codeName(code: number): string {
  return code >= 0x20 && code < 0x7f ? `'${String.fromCharCode(code)}'` : `0x${code.toString(16).padStart(2, '0')}`;
}
