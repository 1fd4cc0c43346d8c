/**
 * An upstream's `text/event-stream` answer as `fetch` gives it, its body arriving in reads of `readBytes`
 * (by default all in one read, as a fast upstream often sends it).
 */
export function eventStreamResponse(text: string, readBytes = Number.MAX_SAFE_INTEGER): Response {
  const bytes = Buffer.from(text, 'utf8');
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += readBytes)
        controller.enqueue(bytes.subarray(offset, offset + readBytes));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}
