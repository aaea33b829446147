/**
 * The tag keys that mark what tekamolo made: the engine proves ownership by them and sync finds the
 * stack's bucket and distribution by them. Shared constants, so that neither has to import the other.
 */
export const STACK_TAG = 'tekamolo:stack';
export const RESOURCE_TAG = 'tekamolo:resource';
