import createError from '@fastify/error'

/** Unknown ids and ids out of the person's scope get this one answer: the same 404 page. */
export const NotFound = createError('LV_NOT_FOUND', 'Not found', 404)
/** Inside the person's scope, but their role may not do this. */
export const Forbidden = createError('LV_FORBIDDEN', 'Forbidden', 403)
/** The change clashes with what is there already (a second account, a used invitation). */
export const Conflict = createError('LV_CONFLICT', 'Conflict', 409)
