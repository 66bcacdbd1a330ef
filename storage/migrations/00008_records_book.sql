-- Records carry the register book they belong to and their entry number
-- as columns, indexed together, so that a book's records are found and
-- read in entry order through an index. The exports, the books API and
-- the duplicates page read one book among a province's millions of
-- records; before, every page of such a read scanned and sorted them all.
--
-- book is the record's book_number field, or without one its batch's
-- book number, spaces removed (as the API's book numbers are compared);
-- book_entry is its entry_number field when that is a number, else the
-- largest bigint, so that records without one come last. A trigger keeps
-- both in step with the fields; a batch's book number and a page's batch
-- never change after they are written.

-- +goose Up
ALTER TABLE records
    ADD COLUMN book       text   NOT NULL DEFAULT '',
    ADD COLUMN book_entry bigint NOT NULL DEFAULT 9223372036854775807;

-- +goose StatementBegin
CREATE FUNCTION records_book() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.book := replace(coalesce(nullif(NEW.fields->'book_number'->>'value', ''),
        (SELECT b.book_number FROM pages p JOIN batches b ON b.id = p.batch_id WHERE p.id = NEW.page_id),
        ''), ' ', '');
    NEW.book_entry := CASE WHEN NEW.fields->'entry_number'->>'value' ~ '^[0-9]{1,18}$'
        THEN (NEW.fields->'entry_number'->>'value')::bigint ELSE 9223372036854775807 END;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER records_book BEFORE INSERT OR UPDATE OF fields, page_id ON records
    FOR EACH ROW EXECUTE FUNCTION records_book();

-- The records there are already: filled in without moving them in the
-- change order (the pull API's cursor), as nothing a loader sees changed.
ALTER TABLE records DISABLE TRIGGER records_change_seq;
UPDATE records r SET
    book = replace(coalesce(nullif(r.fields->'book_number'->>'value', ''), b.book_number, ''), ' ', ''),
    book_entry = CASE WHEN r.fields->'entry_number'->>'value' ~ '^[0-9]{1,18}$'
        THEN (r.fields->'entry_number'->>'value')::bigint ELSE 9223372036854775807 END
FROM pages p JOIN batches b ON b.id = p.batch_id
WHERE p.id = r.page_id;
ALTER TABLE records ENABLE TRIGGER records_change_seq;

CREATE INDEX records_book_entry ON records (book, book_entry, id);

-- +goose Down
DROP INDEX records_book_entry;
DROP TRIGGER records_book ON records;
DROP FUNCTION records_book();
ALTER TABLE records DROP COLUMN book, DROP COLUMN book_entry;
