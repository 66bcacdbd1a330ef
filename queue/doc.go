// Package queue runs the page pipeline on asynq (Redis): one task per page
// and stage, a worker that runs them, and a reconciler that makes
// PostgreSQL, not Redis, the source of truth.
//
// # Stages
//
// A page (storage.Page) moves uploaded → cleaned → recognized → extracted
// → routed, or to failed. Each stage is a task of type "page:<stage>" with
// the payload {"page_id": "<uuid>"}:
//
//   - cleanup (uploaded → cleaned): the original is read from the object
//     store, checked against its SHA-256, decoded (preprocess.Decode within
//     the decoding limits) and cleaned up (preprocess.Clean); the binary and
//     enhanced grey pages are stored, S2-compressed, as one derived object
//     (ArtefactCleaned) with a JSON holding the map back to the original
//     and the quality report, beside the page's access copy for the
//     exports (storage.AccessName).
//   - ocr (cleaned → recognized → extracted): the cleaned page is taken
//     from the worker's cleanup task, or rebuilt from those objects, read
//     (pipeline.Recognize) and its records extracted and scored
//     (pipeline.Scanner.Records, set up as `sohoa scan` sets it up); the
//     words read are stored (PageWords, storage.WordsName), then the
//     records saved and the page moved in one transaction. The records equal scan's for the same image, with
//     Source = the name the page was uploaded under (storage.Page.Source;
//     its object key when it has none) where scan has the path it was given.
//   - routing (extracted → routed): the page's fields are counted by status
//     and the page marked done. The review queue comes later.
//
// A handler enqueues the next stage itself (asynq has no workflows).
//
// # Queues
//
// Each task goes to the queue of its batch's priority class and its stage,
// "<class>:<stage>" (critical:routing, default:ocr, low:cleanup…). Workers
// weigh the queues by class (critical 6, default 3, low 1) times stage
// (routing 4, ocr 2, cleanup 1), so that an urgent batch goes before a bulk
// one and, within a class, pages already started go before new ones: a big
// batch's pages flow through the stages instead of all being cleaned first.
// The queues of before (one per class, "critical", "default", "low") are
// still served. See Queues for the numbers.
//
// # Idempotency
//
// Delivery is at least once. A task's id is "<stage>:<page_id>", so the
// same stage is queued once however often it is asked for. A handler does
// nothing (and succeeds) when the page is no longer in its stage's state;
// state moves check the state they move from, and saving a page's records
// again changes nothing. Completed tasks are kept for Options.Retention,
// and their ids with them: when a stage has to run again within that time
// (a page sent back to uploaded, a stage that found nothing to do) the next
// id "<stage>:<page_id>:<n>" is used.
//
// # Failures
//
// A failing stage (an unreachable object store or database…) is retried
// with exponential backoff (asynq's, or WorkerConfig.RetryDelay), up to
// Options.MaxRetry times, each run bounded by its stage's timeout. Input
// that no retry can fix (not an image, truncated, too large, several pages,
// missing original, no matching template) is a PermanentError: the page is
// failed with the reason and the task archived at once (asynq.SkipRetry).
// A stage that exhausts its retries fails its page too. Archived tasks are
// listed by Client.ListFailed with their error and re-run by Client.Retry.
//
// # Reconciler
//
// A worker leases the page it works on (storage.LeasePage) until the
// task's deadline plus a grace period. Client.Reconcile, run by every
// worker every ReconcileInterval, takes the pages that have stayed in a
// non-terminal state for StuckAfter with no lease (storage.StuckPages) and
// makes sure each has a live task for its stage: after a Redis flush or a
// worker killed mid-task nothing is lost. A task still shown as running for
// such a page belongs to a dead worker, so another id is used; one waiting
// or retrying is left alone.
package queue
