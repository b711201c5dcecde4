import { SluiceError } from '../errors.ts';

const typeName = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$/;

/** Type names from a block's schema or settings reach SQL, so only plain type syntax passes. */
export function checkedTypeName(type: string, column: string): string {
  if (!typeName.test(type.trim())) {
    throw new SluiceError('block.bad_type', `column ${column}: '${type}' is not a type name`, { kind: 'config' });
  }
  return type.trim();
}
