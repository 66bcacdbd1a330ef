package server

import (
	"net/http"
	"slices"

	"github.com/sohoa/sohoa/storage"
)

// handlerFunc serves one route; a returned error becomes the JSON error
// response (see asAPIError).
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one line of the route table: the ServeMux pattern, the roles
// whose tokens may call it (nil: no token needed) and the handler. This
// table is the only place where roles are checked; the handlers check only
// what depends on the data (a scanner sees its own batches).
type route struct {
	pattern string
	roles   []storage.Role
	handle  handlerFunc
}

// routes is the route table; doc.go shows it as a matrix.
func (s *Server) routes() []route {
	var (
		public     []storage.Role // no token needed
		anyRole    = []storage.Role{storage.RoleScanner, storage.RoleVerifier, storage.RoleLoader, storage.RoleAdmin}
		uploaders  = []storage.Role{storage.RoleScanner, storage.RoleAdmin}
		readers    = []storage.Role{storage.RoleVerifier, storage.RoleLoader, storage.RoleAdmin}
		adminsOnly = []storage.Role{storage.RoleAdmin}
		reviewers  = []storage.Role{storage.RoleVerifier, storage.RoleAdmin}
		loaders    = []storage.Role{storage.RoleLoader, storage.RoleAdmin}
	)
	return []route{
		{"GET /healthz", public, s.healthz},
		{"GET /readyz", public, s.readyz},
		{"GET /metrics", public, s.serveMetrics},

		{"POST /v1/batches", uploaders, s.createBatch},
		{"GET /v1/batches", readers, s.listBatches},
		{"GET /v1/batches/{id}", anyRole, s.getBatch},
		{"GET /v1/batches/{id}/progress", anyRole, s.batchProgress},
		{"GET /v1/batches/{id}/same-entries", anyRole, s.batchSameEntries},
		{"POST /v1/batches/{id}/pages", uploaders, s.uploadPage},
		{"POST /v1/batches/{id}/uploads", uploaders, s.presignUpload},
		{"POST /v1/batches/{id}/uploads/complete", uploaders, s.completeUpload},

		{"GET /v1/pages", anyRole, s.findPage}, // GET patterns answer HEAD too
		{"GET /v1/pages/{id}", anyRole, s.getPage},
		{"GET /v1/pages/{id}/words", readers, s.pageWords},

		{"GET /v1/records", readers, s.listRecords},
		{"GET /v1/records/{id}", readers, s.getRecord},
		{"GET /v1/records/{id}/audit", readers, s.recordAudit},
		{"GET /v1/review/quality", reviewers, s.reviewQuality},
		{"GET /v1/books/{book}/duplicates", reviewers, s.bookDuplicates},
		{"POST /v1/records/{id}/reject-duplicate", reviewers, s.rejectDuplicate},
		{"POST /v1/records/{id}/restore-duplicate", reviewers, s.restoreDuplicate},
		{"POST /v1/books/{book}/exports", loaders, s.createBookExport},
		{"GET /v1/books/{book}/exports", loaders, s.listBookExports},
		{"GET /v1/exports/{id}", loaders, s.getExport},

		{"GET /v1/tasks/failed", adminsOnly, s.failedTasks},
		{"POST /v1/tasks/{queue}/{id}/retry", adminsOnly, s.retryTask},
	}
}

// wrap checks the route's roles, then runs its handler.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.roles != nil {
			tok, err := s.authenticate(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			if !slices.Contains(rt.roles, tok.Role) {
				s.writeError(w, r, errorf(http.StatusForbidden, codeForbidden,
					"a %s token may not call %s", tok.Role, rt.pattern))
				return
			}
			r = r.WithContext(withToken(r.Context(), tok))
		}
		if err := rt.handle(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}
