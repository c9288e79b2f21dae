import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

// Errors as the API sends them: {"error": "<tag>", "message": "..."} (the tag is renamed on the way out, see error-shape.ts).
const fields = { message: Schema.String }

export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", fields, HttpApiSchema.annotations({ status: 400 })) {}
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", fields, HttpApiSchema.annotations({ status: 401 })) {}
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", fields, HttpApiSchema.annotations({ status: 404 })) {}
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", fields, HttpApiSchema.annotations({ status: 409 })) {}
export class Unprocessable extends Schema.TaggedError<Unprocessable>()("Unprocessable", fields, HttpApiSchema.annotations({ status: 422 })) {}
export class UpstreamFailed extends Schema.TaggedError<UpstreamFailed>()("UpstreamFailed", fields, HttpApiSchema.annotations({ status: 502 })) {}
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", fields, HttpApiSchema.annotations({ status: 503 })) {}
