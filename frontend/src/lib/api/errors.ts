// ApiError carries an RFC 9457 problem+json body so the UI can show `detail` verbatim.
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  field?: string;
};

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Partial<Problem>;
  /** Seconds from a Retry-After header (429, 503), when the server sent one. */
  readonly retryAfter?: number;

  constructor(status: number, problem: Partial<Problem>, retryAfter?: number) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  static fromResponse(response: Response, body: Partial<Problem> | string | undefined): ApiError {
    const problem =
      body && typeof body === 'object' ? body : { title: response.statusText || undefined };
    const retryAfter = Number(response.headers.get('Retry-After'));
    return new ApiError(
      response.status,
      problem,
      Number.isInteger(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }

  /** The human-readable text for this error: detail, else title. */
  get detail(): string {
    return this.problem.detail ?? this.problem.title ?? this.message;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export function isUnauthorized(error: unknown): boolean {
  return isApiError(error) && error.status === 401;
}
