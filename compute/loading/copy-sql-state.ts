// SQLSTATEs that COPY raises and common/errors/sql-state.ts does not list yet (see the report to the lead).
import type { SqlStateCode } from '../../common/errors/index.ts';

/**
 * 22P04 bad_copy_file_format: wrong field count, unterminated quotes, stray line ends.
 * SqlState has no constant for it yet; the double assertion is the one place that widens the
 * closed SqlStateCode union. Move it into SqlState as BAD_COPY_FILE_FORMAT and delete this file.
 */
export const BAD_COPY_FILE_FORMAT = '22P04' as string as SqlStateCode;
