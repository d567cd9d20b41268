// Any other /v1 path: OpenAI's "Invalid URL" 404 in OpenAI's error shape, not an HTML page.
import { unknownUrlResponse } from "@akm/core/gateway/errors";

export const dynamic = "force-dynamic";

const notFound = async (request: Request) => unknownUrlResponse(request);
export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
