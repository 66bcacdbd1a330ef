package web

import (
	"strings"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
	"github.com/sohoa/sohoa/validate"
)

// fieldLabels name the fields of record-format.md in Vietnamese.
var fieldLabels = map[string]string{
	"entry_number": "Số", "book_number": "Quyển số", "registration_date": "Ngày đăng ký",
	"registration_office": "Nơi đăng ký", "full_name": "Họ và tên", "date_of_birth": "Ngày sinh",
	"gender": "Giới tính", "ethnicity": "Dân tộc", "nationality": "Quốc tịch",
	"place_of_birth": "Nơi sinh", "hometown": "Quê quán", "personal_id": "Số định danh cá nhân",
	"mother_name": "Họ tên mẹ", "mother_birth_year": "Năm sinh của mẹ", "mother_ethnicity": "Dân tộc của mẹ",
	"mother_nationality": "Quốc tịch của mẹ", "mother_residence": "Nơi cư trú của mẹ",
	"father_name": "Họ tên cha", "father_birth_year": "Năm sinh của cha", "father_ethnicity": "Dân tộc của cha",
	"father_nationality": "Quốc tịch của cha", "father_residence": "Nơi cư trú của cha",
	"declarant_name": "Người đi khai", "husband_name": "Họ tên chồng", "husband_date_of_birth": "Ngày sinh của chồng",
	"husband_ethnicity": "Dân tộc của chồng", "husband_nationality": "Quốc tịch của chồng",
	"husband_residence": "Nơi cư trú của chồng", "husband_id_number": "Số giấy tờ tuỳ thân của chồng",
	"wife_name": "Họ tên vợ", "wife_date_of_birth": "Ngày sinh của vợ", "wife_ethnicity": "Dân tộc của vợ",
	"wife_nationality": "Quốc tịch của vợ", "wife_residence": "Nơi cư trú của vợ",
	"wife_id_number": "Số giấy tờ tuỳ thân của vợ", "id_number": "Số giấy tờ tuỳ thân",
	"date_of_death": "Ngày chết", "place_of_death": "Nơi chết", "cause_of_death": "Nguyên nhân chết",
}

func fieldLabel(key string) string {
	if l, ok := fieldLabels[key]; ok {
		return l
	}
	return key
}

var reasonLabels = map[string]string{
	validate.CodeMissing: "không đọc được", validate.CodeInvalid: "không hợp lệ",
	validate.CodeConflict: "mâu thuẫn với trường khác", validate.CodeOutOfRange: "không hợp lý",
	validate.CodeUnknown: "không có trong danh mục", validate.CodeRepaired: "máy đã tự sửa",
	validate.CodeAmbiguous: "chữ số đoán từ ký tự giống nhiều số",
	"low_confidence":       "máy không chắc chắn",
}

func reasonLabel(code string) string {
	if l, ok := reasonLabels[code]; ok {
		return l
	}
	return code
}

// rejectReasons are the reasons a page may be rejected for, by key.
var rejectReasons = []struct{ Key, Code, Label string }{
	{"1", "torn", "Trang bị rách"},
	{"2", "missing", "Thiếu trang / thiếu nội dung"},
	{"3", "illegible", "Không đọc được"},
	{"4", "not_register", "Không phải trang sổ hộ tịch"},
}

func validRejectReason(code string) bool {
	for _, r := range rejectReasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

func kindLabel(k storage.ReviewKind) string {
	switch k {
	case storage.KindReview:
		return "Kiểm tra"
	case storage.KindDouble:
		return "Nhập lần hai (độc lập)"
	case storage.KindSample:
		return "Kiểm tra mẫu (độc lập)"
	case storage.KindArbitrate:
		return "Phân xử"
	}
	return string(k)
}

func statusLabel(s models.Status) string {
	switch s {
	case models.StatusAccepted:
		return "máy chấp nhận"
	case models.StatusReview:
		return "cần kiểm tra"
	case models.StatusVerified:
		return "đã kiểm tra"
	case models.StatusRejected:
		return "bị từ chối"
	}
	return string(s)
}

func auditReasonLabel(reason string) string {
	switch {
	case reason == storage.ReasonReview:
		return "sửa khi kiểm tra"
	case reason == storage.ReasonUnreadable:
		return "đánh dấu không đọc được"
	case reason == storage.ReasonArbitration:
		return "phân xử"
	case reason == storage.ReasonVerified:
		return "đã kiểm tra xong"
	case reason == storage.ReasonDoubleAgree:
		return "nhập hai lần khớp nhau"
	case storage.DuplicateOf(reason) != "":
		return "trùng lặp với " + storage.DuplicateOf(reason)
	case strings.HasPrefix(reason, storage.ReasonRejectPage):
		code := strings.TrimPrefix(reason, storage.ReasonRejectPage)
		for _, r := range rejectReasons {
			if r.Code == code {
				return "từ chối trang: " + r.Label
			}
		}
		return "từ chối trang: " + code
	}
	return reason
}

// critical reports whether double entry keys the field twice: names,
// dates and identity numbers.
func critical(key string) bool {
	switch validate.KindOf(key) {
	case validate.KindName, validate.KindDate, validate.KindPersonalID, validate.KindIDNumber:
		return true
	}
	return false
}

// problemMessage says in Vietnamese what is wrong with a value.
func problemMessage(p validate.Problem) string {
	return reasonLabel(p.Code)
}
