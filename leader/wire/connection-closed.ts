// The signal that the client went away mid-protocol: unwind quietly, there is nobody to answer.

/** Thrown when the socket ended while a sub-protocol (authentication, COPY) waited for a message. */
export class ConnectionClosed extends Error {
  constructor(during: string) {
    super(`client closed the connection during ${during}`);
    this.name = 'ConnectionClosed';
  }
}
