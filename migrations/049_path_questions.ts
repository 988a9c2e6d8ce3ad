import type { Kysely } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * A person who comes back through their own path link adds a new question to the same path
 * (issue 19): nobody is recognised otherwise, so the path is the only place it can go.
 *
 * The text is the person's own words about themselves, so it lives beside the contact
 * request, never beside the anonymous answers, and is deleted whenever the request's contact
 * details are erased (with the notes: `eraseNotesOfErasedRequests`). It is not an answer and
 * is never counted in a published figure: the person already counts once, by their answer.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('path_questions')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('contact_request_id', 'integer', (col) => col.notNull().references('contact_requests.id').onDelete('cascade'))
    // The same bound as the answer's free text: 280 characters, at most 3,360 UTF-8 bytes.
    .addColumn('text', 'varchar(3360)', (col) => col.notNull())
    .addColumn('language', 'varchar(8)', (col) => col.notNull())
    // The Brussels day it was asked (YYYY-MM-DD), and the moment (ISO).
    .addColumn('asked_on', 'varchar(10)', (col) => col.notNull())
    .addColumn('asked_at', 'varchar(30)', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('path_questions_request').on('path_questions').columns(['contact_request_id', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('path_questions').execute()
}
