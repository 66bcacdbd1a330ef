package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// testOffices are registration offices of the test records.
func testOffices() []string {
	return []string{"UBND xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An", "UBND xã Mường Típ, huyện Kỳ Sơn, tỉnh Nghệ An",
		"UBND phường Hưng Dũng, thành phố Vinh, tỉnh Nghệ An"}
}

// birthRecord is a record like the spec's birth example, with every field
// of a birth register entry, registered on date at office. The version is
// kept in the warnings ("version N") so tests can tell corrections apart.
func birthRecord(rng *rand.Rand, index int, date, office string, version int) models.Record {
	var (
		familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Lương", "Lò", "Vi"}
		middleNames = []string{"Thị", "Văn", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Xuân"}
		givenNames  = []string{"Vân", "Oanh", "Bình", "Hùng", "Lan", "Tuấn", "Hương", "Dũng", "Mai", "Sơn", "Thảo", "Khánh"}
		villages    = []string{"bản Huồi Giảng", "bản Xốp Tụ", "khối 4", "xóm 7"}
	)
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	name := func(middle string) string { return pick(familyNames) + " " + middle + " " + pick(givenNames) }
	place := pick(villages) + ", " + office[len("UBND "):]
	values := map[string]string{
		"entry_number": fmt.Sprint(1 + rng.IntN(400)), "book_number": "01/" + date[:4],
		"registration_date": date, "registration_office": office,
		"full_name": name(pick(middleNames)), "date_of_birth": date[:4] + "-01-15", "gender": pick([]string{"Nam", "Nữ"}),
		"ethnicity": pick([]string{"Kinh", "Thái", "Khơ Mú", "Mông"}), "nationality": "Việt Nam",
		"place_of_birth": "Trạm y tế " + office[len("UBND "):], "hometown": place,
		"personal_id": fmt.Sprintf("040%d%08d", 2+rng.IntN(2), rng.IntN(1e8)),
		"mother_name": name("Thị"), "mother_birth_year": fmt.Sprint(1970 + rng.IntN(25)), "mother_ethnicity": "Kinh",
		"mother_nationality": "Việt Nam", "mother_residence": place,
		"father_name": name("Văn"), "father_birth_year": fmt.Sprint(1965 + rng.IntN(25)), "father_ethnicity": "Kinh",
		"father_nationality": "Việt Nam", "father_residence": place, "declarant_name": name("Văn"),
	}
	fields := make(map[string]models.Field, len(values))
	y := 300
	for k, v := range values {
		f := models.Field{Value: &v, Raw: v, Confidence: 0.9 + rng.Float64()/10, Status: models.StatusAccepted,
			Reasons: []string{}, BBox: models.BBox{412, y, 1290, y + 60}}
		if rng.IntN(10) == 0 {
			f.Confidence, f.Status, f.Reasons = 0.6, models.StatusReview, []string{"low_confidence"}
		}
		fields[k] = f
		y += 70
	}
	return models.Record{
		ID: uuid.NewString(), EntryIndex: index, RegisterType: models.Birth, Template: "birth/ledger-2015",
		Status: models.StatusAccepted, Fields: fields, Warnings: []string{fmt.Sprintf("version %d", version)},
	}
}

// recordVersion is the version birthRecord put in r's warnings, 0 when
// there is none.
func recordVersion(r models.Record) int {
	var v int
	if len(r.Warnings) > 0 {
		_, _ = fmt.Sscanf(r.Warnings[0], "version %d", &v)
	}
	return v
}

// newTestPage is a page of the batch with no image behind it (records
// need only the row).
func newTestPage(batchID string) storage.NewPage {
	sum := sha256.Sum256([]byte(uuid.NewString()))
	hexSum := hex.EncodeToString(sum[:])
	return storage.NewPage{BatchID: batchID, ObjectKey: storage.OriginalKey(hexSum),
		Source: "so-khai-sinh/p" + hexSum[:6] + ".jpg", SHA256: hexSum}
}

// saveTestPage adds a page to the batch holding recs.
func saveTestPage(t testing.TB, s *storage.Store, batchID string, recs ...models.Record) storage.Page {
	t.Helper()
	p, err := s.AddPage(t.Context(), newTestPage(batchID))
	if err != nil {
		t.Fatal(err)
	}
	if err = s.SaveRecords(t.Context(), p.ID, recs); err != nil {
		t.Fatal(err)
	}
	return p
}
