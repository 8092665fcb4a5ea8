// Fixture for imports.test.ts: two violations on purpose.
import { x } from '../registry/index.js';
import { y } from '../api/types.js';
import { z } from '../api/index.js';
export const all = [x, y, z];
