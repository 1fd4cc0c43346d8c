/**
 * Base64 data URIs whose characters were already checked against the standard base64 alphabet while the
 * request body was parsed (the app's large-body parser does that check anyway), recorded by the object that
 * holds them, weakly: nothing outlives the request. The image layer then skips its own scan of the same
 * multi-megabyte string. Only the exact string recorded counts; a changed value is checked again.
 */
const checked = new WeakMap<object, string>();

export function markCheckedDataUri(holder: object, dataUri: string): void {
  checked.set(holder, dataUri);
}

export function isCheckedDataUri(holder: unknown, dataUri: string): boolean {
  return typeof holder === 'object' && holder !== null && checked.get(holder) === dataUri;
}
