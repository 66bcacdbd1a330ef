package server

import (
	"net/http"
)

// failedTasks serves GET /v1/tasks/failed: tasks that ran out of retries,
// with their error.
func (s *Server) failedTasks(w http.ResponseWriter, r *http.Request) error {
	if s.inspector == nil {
		return errNoQueue
	}
	tasks, err := s.inspector.ListFailed(r.Context())
	if err != nil {
		return err
	}
	if tasks == nil {
		tasks = []FailedTask{}
	}
	writeJSON(w, http.StatusOK, struct {
		Tasks []FailedTask `json:"tasks"`
	}{tasks})
	return nil
}

// retryTask serves POST /v1/tasks/{queue}/{id}/retry: the failed task runs
// again. {queue} and {id} are as GET /v1/tasks/failed lists them, e.g.
// critical:ocr and ocr:<page id>: a ":" is a plain character of a path
// segment, and may also be sent escaped (%3A).
func (s *Server) retryTask(w http.ResponseWriter, r *http.Request) error {
	if s.inspector == nil {
		return errNoQueue
	}
	queue, id := r.PathValue("queue"), r.PathValue("id")
	if err := s.inspector.Retry(r.Context(), queue, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, struct {
		Queue  string `json:"queue"`
		ID     string `json:"id"`
		Status string `json:"status"`
	}{queue, id, "retrying"})
	return nil
}
