// Quantities are parsed in internal/api (plugins need them too); re-exported for the resources here.
export { isQuantity, parseQuantity, QUANTITY_FORMAT_ERROR } from '../../../api/index.js';
