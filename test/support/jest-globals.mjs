// In ES-module mode jest does not inject the `jest` object as a global; specs written for CommonJS
// (`jest.fn()`, `jest.spyOn()`) keep working with this.
import { jest } from '@jest/globals';
globalThis.jest = jest;
