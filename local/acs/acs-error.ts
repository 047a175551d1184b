/**
 * A Call Automation REST error: the HTTP status plus the `{ error: { code, message } }` body the
 * SDK deserializes into a RestError. Call Automation puts its numeric subcode, as a string, in
 * `code` (a real HMAC failure answered 401 `{"error":{"code":"7509","message":"HMAC-SHA256
 * validation failed"}}`, Azure-Samples/communication-services-dotnet-quickstarts issue 220).
 * Subcodes come from the Call Automation troubleshooting table: 7509 HMAC validation error,
 * 8522 not found, 8523 invalid argument, 8501 call not established, 8519 conflict,
 * 8559 duplicate start recording.
 */
export class AcsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AcsError';
  }

  get body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }

  static unauthorized(): AcsError {
    return new AcsError(401, '7509', 'HMAC-SHA256 validation failed');
  }

  static notFound(message: string): AcsError {
    return new AcsError(404, '8522', message);
  }

  static badRequest(message: string): AcsError {
    return new AcsError(400, '8523', message);
  }

  static callNotEstablished(message: string): AcsError {
    return new AcsError(400, '8501', message);
  }

  static conflict(message: string): AcsError {
    return new AcsError(409, '8519', message);
  }
}
