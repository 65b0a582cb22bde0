"""Demo data: Thông báo 63/TB-UBND ngày 16/08/2021 (the seed notice) with its tasks and recommendations.

Section 3 of the notice gives eight directions for the last six months of 2021: each is one task
(reference "3.(n)"). Section 4 answers six recommendations of districts and the cooperative alliance
(reference "4.(n)"); the answers that assign work create tasks. The documents the notice cites are
entered too. Where the notice names no lead agency (a direction given to "the departments and the
district people's committees" together) the task is led by Sở NN&PTNT, the programme's standing agency,
and its note says so; where it names no deadline, the deadline is the period the notice covers (6 tháng
cuối năm 2021) and the note says so. Progress updates are invented examples.

Idempotent: documents are found by number, tasks and recommendations by document and reference;
running it twice creates nothing new. Needs communes.demo and accounts.demo (run before it).
"""

from datetime import date, datetime

from accounts.models import User
from communes.models import District

from . import services
from .deadlines import PROVINCE_TIME_ZONE
from .models import Agency, AgencyKind, Document, DocumentKind, Recommendation, Task, TaskStatus

ALL_DISTRICTS = ["094", "095", "096", "097", "098", "099", "100", "101", "102", "103"]
NO_LEAD_NOTE = (
    "Thông báo giao chung các sở, ngành thành viên Ban Chỉ đạo và UBND các huyện, thị xã, thành phố; "
    "Sở NN&PTNT (cơ quan thường trực Chương trình) được ghi làm đầu mối theo dõi."
)
IMPLIED_PERIOD_NOTE = (
    "Thông báo không nêu thời hạn; lấy theo kỳ mà Thông báo đề ra (phương hướng, nhiệm vụ 6 tháng cuối năm 2021)."
)
MEETING = (
    "Hội nghị đánh giá kết quả thực hiện Chương trình MTQG xây dựng nông thôn mới và Đề án OCOP "
    "6 tháng đầu năm 2021 (ngày 06/8/2021)"
)
CITED_NOTE = "Trích yếu ghi theo nội dung Thông báo 63/TB-UBND dẫn chiếu."

EXTRA_AGENCIES = [
    ("STC", "Sở Tài chính", AgencyKind.DEPARTMENT),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", AgencyKind.DEPARTMENT),
]

NOTICE = {
    "number": "63/TB-UBND",
    "kind": DocumentKind.THONG_BAO,
    "date": date(2021, 8, 16),
    "issuer": "UBND tỉnh",
    "title": (
        "Kết luận của đồng chí Lê Thành Đô - Phó Bí thư Tỉnh ủy - Chủ tịch UBND tỉnh - Trưởng Ban Chỉ đạo thực hiện "
        "các Chương trình MTQG tỉnh tại Hội nghị đánh giá kết quả thực hiện Chương trình MTQG xây dựng nông thôn mới "
        "và Đề án OCOP 6 tháng đầu năm 2021; phương hướng, nhiệm vụ triển khai trong thời gian tới"
    ),
    "summary": (
        "Hội nghị ngày 06/8/2021. Đến nay toàn tỉnh có 38 xã đạt chuẩn và cơ bản đạt chuẩn nông thôn mới; bình quân "
        "11,9 tiêu chí/xã; không còn xã dưới 05 tiêu chí; 35 sản phẩm OCOP được công nhận. Mục 3: tám nhiệm vụ "
        "6 tháng cuối năm 2021. Mục 4: trả lời sáu kiến nghị của UBND các huyện và Liên minh Hợp tác xã tỉnh."
    ),
}

CITED_DOCUMENTS = [
    {
        "number": "211/QĐ-UBND", "kind": DocumentKind.QUYET_DINH, "date": date(2021, 2, 24), "issuer": "UBND tỉnh",
        "title": "Phê duyệt Đề án “Mỗi xã một sản phẩm” tỉnh Điện Biên giai đoạn 2021-2025, định hướng đến năm 2030",
    },
    {
        "number": "239/BCĐ-KTN", "kind": DocumentKind.CONG_VAN, "date": date(2021, 2, 26),
        "issuer": "Ban Chỉ đạo các Chương trình MTQG tỉnh",
        "title": (
            "Nội dung, mục tiêu, nhiệm vụ xây dựng nông thôn mới năm 2021 (02 xã phấn đấu đạt chuẩn, 08 xã cơ bản "
            "đạt chuẩn nông thôn mới)"
        ),
    },
    {
        "number": "1553/KH-BCĐ", "kind": DocumentKind.KE_HOACH, "date": date(2021, 5, 26),
        "issuer": "Ban Chỉ đạo thực hiện các Chương trình MTQG tỉnh",
        "title": "Thực hiện Đề án “Mỗi xã một sản phẩm” tỉnh Điện Biên năm 2021",
    },
    {
        "number": "09-NQ/TU", "kind": DocumentKind.NGHI_QUYET, "date": date(2021, 7, 29),
        "issuer": "Ban Chấp hành Đảng bộ tỉnh",
        "title": (
            "Về phát triển sản xuất nông, lâm nghiệp gắn với xây dựng nông thôn mới tỉnh Điện Biên giai đoạn 2021-2025"
        ),
    },
    {
        "number": "2084/BCĐ-KTN", "kind": DocumentKind.CONG_VAN, "date": None,
        "issuer": "Ban Chỉ đạo thực hiện các Chương trình MTQG tỉnh Điện Biên",
        "title": "Triển khai thực hiện nhiệm vụ trọng tâm Chương trình MTQG xây dựng nông thôn mới 06 tháng cuối năm 2021",
        "summary": "Thông báo 63/TB-UBND không nêu ngày ban hành của văn bản này.",
    },
]

SECTION_3_TASKS = [
    {
        "reference": "3.(1)",
        "content": (
            "Thống nhất quan điểm chỉ đạo từ tỉnh đến cơ sở: “Xây dựng nông thôn mới có điểm khởi đầu nhưng không có "
            "điểm kết thúc”; thường xuyên quan tâm, chỉ đạo nâng cao chất lượng các chỉ tiêu, tiêu chí nông thôn mới "
            "từ cấp thôn, bản đến cấp xã, từ đạt chuẩn lên nâng cao và kiểu mẫu."
        ),
        "lead_agency": "SNNPTNT", "districts": ALL_DISTRICTS, "due_label": "Thường xuyên",
        "note": NO_LEAD_NOTE + " Nhiệm vụ thường xuyên, không có hạn hoàn thành.",
    },
    {
        "reference": "3.(2)",
        "content": (
            "Thay đổi cách tiếp cận, huy động tổng hợp các nguồn lực và phát huy nội lực của cộng đồng. 04 huyện chưa "
            "có xã đạt chuẩn nông thôn mới (Mường Chà, Điện Biên Đông, Tuần Giáo, Tủa Chùa) xây dựng Kế hoạch cụ thể, "
            "phấn đấu hết năm 2021 mỗi huyện có 01 xã đạt chuẩn nông thôn mới. Với 02 xã phấn đấu đạt chuẩn và 08 xã "
            "cơ bản đạt chuẩn năm 2021 theo Công văn 239/BCĐ-KTN: khẩn trương rà soát, đẩy nhanh các tiêu chí chưa đạt "
            "(văn hóa, môi trường, phát triển sản xuất, nhà ở dân cư, thu nhập, hộ nghèo…); với các tiêu chí đã đạt, "
            "chỉ đạo xã rà soát, thực hiện các bước đánh giá, thẩm định theo quy định."
        ),
        "lead_agency": "SNNPTNT",
        "coordinating_agencies": ["UBND-097", "UBND-101", "UBND-099", "UBND-098"],
        "districts": ["097", "101", "099", "098"], "due_label": "năm 2021",
        "note": (
            "Thông báo giao trực tiếp UBND 04 huyện Mường Chà, Điện Biên Đông, Tuần Giáo, Tủa Chùa (ghi là cơ quan phối "
            "hợp, thực hiện); Sở NN&PTNT (cơ quan thường trực) theo dõi, tổng hợp. Thời hạn: “hết năm 2021”."
        ),
    },
    {
        "reference": "3.(3)",
        "content": (
            "Rà soát các mục tiêu, chỉ tiêu theo Nghị quyết 09-NQ/TU ngày 29/7/2021 của Ban Chấp hành Đảng bộ tỉnh; "
            "xây dựng đề án, kế hoạch cụ thể triển khai Chương trình xây dựng nông thôn mới giai đoạn 2021-2025 sát "
            "thực tế địa phương, chú trọng củng cố, nâng cao các tiêu chí cơ bản đạt chuẩn và xây dựng nông thôn mới "
            "cấp thôn, bản."
        ),
        "lead_agency": "SNNPTNT", "districts": ALL_DISTRICTS, "due_label": "6 tháng cuối năm 2021",
        "note": NO_LEAD_NOTE + " " + IMPLIED_PERIOD_NOTE,
    },
    {
        "reference": "3.(4)",
        "content": (
            "Đẩy mạnh tuyên truyền, phát huy sức mạnh của hệ thống chính trị và cộng đồng dân cư trong xây dựng nông "
            "thôn mới và Đề án OCOP; nhân rộng các điển hình tiên tiến. UBND các huyện, thị xã, thành phố rà soát, đánh "
            "giá thực trạng giai đoạn 2016-2020 để xác định mục tiêu, nhiệm vụ, giải pháp và lộ trình giai đoạn "
            "2021-2025."
        ),
        "lead_agency": "SNNPTNT", "districts": ALL_DISTRICTS, "due_label": "6 tháng cuối năm 2021",
        "note": NO_LEAD_NOTE + " " + IMPLIED_PERIOD_NOTE,
    },
    {
        "reference": "3.(5)",
        "content": (
            "Các sở, ngành thành viên Ban Chỉ đạo tăng cường kiểm tra, đôn đốc, bám sát địa bàn được phân công giúp "
            "đỡ. Thủ trưởng các sở, ban, ngành và Chủ tịch UBND các huyện, thị xã, thành phố chịu trách nhiệm trước "
            "Chủ tịch UBND tỉnh khi đơn vị được giao phụ trách không đạt mục tiêu kế hoạch xây dựng nông thôn mới "
            "năm 2021."
        ),
        "lead_agency": "SNNPTNT", "coordinating_agencies": ["SCT", "SKHCN", "STC", "SKHDT"],
        "districts": ALL_DISTRICTS, "due_label": "năm 2021",
        "note": (
            NO_LEAD_NOTE + " Cơ quan phối hợp: các sở thành viên Ban Chỉ đạo có trong danh mục. Thời hạn theo mục "
            "tiêu kế hoạch năm 2021 mà Thông báo nêu."
        ),
    },
    {
        "reference": "3.(6)",
        "content": (
            "Phát triển mới sản phẩm OCOP trên cơ sở đánh giá thực trạng, lợi thế của từng địa phương; tuyên truyền, "
            "giúp đỡ hợp tác xã, doanh nghiệp, chủ thể phát triển sản phẩm mới; nâng cao chất lượng, mở rộng quy mô "
            "sản phẩm hiện có; phối hợp Sở Công Thương, Sở NN&PTNT (Văn phòng Điều phối nông thôn mới tỉnh) kết nối "
            "thị trường; lồng ghép phát triển sản phẩm với chiến lược phát triển hợp tác xã (Quyết định 340/QĐ-TTg) "
            "và chính sách hỗ trợ liên kết (Quyết định 45/2018/QĐ-UBND)."
        ),
        "lead_agency": "SNNPTNT", "coordinating_agencies": ["SCT", "VPDP"], "districts": ALL_DISTRICTS,
        "due_label": "6 tháng cuối năm 2021",
        "note": (
            "Thông báo giao UBND các huyện, thị xã, thành phố, phối hợp Sở Công Thương và Sở NN&PTNT (Văn phòng Điều "
            "phối); Sở NN&PTNT được ghi làm đầu mối theo dõi. " + IMPLIED_PERIOD_NOTE
        ),
    },
    {
        "reference": "3.(7)",
        "content": (
            "Sở NN&PTNT chủ trì, phối hợp các sở, ngành, đơn vị liên quan tham mưu UBND tỉnh ban hành Kế hoạch cụ thể "
            "phát triển các sản phẩm OCOP phù hợp thực tế địa phương. Mỗi huyện lựa chọn một sản phẩm chủ lực trong "
            "35 sản phẩm OCOP đã được chứng nhận để xây dựng mô hình phát triển bền vững; phối hợp Sở Khoa học và "
            "Công nghệ ứng dụng, chuyển giao công nghệ mới và đăng ký truy xuất nguồn gốc từng sản phẩm."
        ),
        "lead_agency": "SNNPTNT", "coordinating_agencies": ["SKHCN"], "districts": ALL_DISTRICTS,
        "due_label": "Quý III/2021",
        "note": "Thời hạn do Thông báo nêu: hoàn thành trong Quý III/2021.",
    },
    {
        "reference": "3.(8)",
        "content": (
            "Các cơ quan, đơn vị, địa phương nghiêm túc thực hiện các nội dung, mục tiêu, nhiệm vụ xây dựng nông thôn "
            "mới năm 2021 theo Công văn 239/BCĐ-KTN ngày 26/02/2021, Kế hoạch 1553/KH-BCĐ ngày 26/5/2021 thực hiện "
            "Đề án “Mỗi xã một sản phẩm” năm 2021 và Văn bản 2084/BCĐ-KTN về nhiệm vụ trọng tâm 06 tháng cuối năm 2021."
        ),
        "lead_agency": "SNNPTNT", "districts": ALL_DISTRICTS, "due_label": "năm 2021",
        "note": NO_LEAD_NOTE + " Thông báo không nêu thời hạn; các văn bản dẫn chiếu là nhiệm vụ năm 2021.",
    },
]

RECOMMENDATIONS = [
    {
        "reference": "4.(1)", "from_districts": ["099", "101"],
        "content": (
            "Có cơ chế rõ ràng trong việc phân công nhiệm vụ các sở, ban, ngành giúp đỡ các địa phương theo Quyết định "
            "1596/QĐ-BCĐ ngày 27/12/2016 của Ban Chỉ đạo thực hiện các Chương trình MTQG."
        ),
        "response": (
            "UBND tỉnh ghi nhận kiến nghị; giao Sở NN&PTNT (cơ quan thường trực của Ban Chỉ đạo tỉnh) chủ trì, phối hợp "
            "các sở, ban, ngành, đơn vị liên quan, căn cứ mục tiêu, nhiệm vụ của Chương trình giai đoạn 2021-2025, "
            "hướng dẫn của Bộ, ngành Trung ương và kết quả giai đoạn 2016-2020, tham mưu UBND - Ban Chỉ đạo tỉnh phân "
            "công nhiệm vụ cho các cơ quan, đơn vị giúp đỡ các địa phương."
        ),
        "tasks": [
            {
                "reference": "4.(1)",
                "content": (
                    "Tham mưu UBND - Ban Chỉ đạo tỉnh phân công nhiệm vụ cho các cơ quan, đơn vị giúp đỡ các địa phương "
                    "xây dựng nông thôn mới giai đoạn 2021-2025."
                ),
                "lead_agency": "SNNPTNT", "districts": ["099", "101"], "due_label": "6 tháng cuối năm 2021",
                "note": IMPLIED_PERIOD_NOTE,
            },
        ],
    },
    {
        "reference": "4.(2)", "from_districts": ["101"],
        "content": (
            "Sớm cấp vốn năm 2021 và giai đoạn 2021-2025; quan tâm nguồn lực để duy trì, nâng cao các tiêu chí đã đạt, "
            "các xã cơ bản đạt chuẩn và các xã phấn đấu đạt chuẩn trong thời gian tới."
        ),
        "response": (
            "Ngày 28/7/2021 Quốc hội đã phê duyệt chủ trương đầu tư Chương trình MTQG xây dựng nông thôn mới giai đoạn "
            "2021-2025 (Nghị quyết 25/2021/QH15); Bộ NN&PTNT đang lấy ý kiến dự thảo Báo cáo nghiên cứu khả thi. Nguồn "
            "vốn trực tiếp cho Chương trình giai đoạn tới rất thấp, chủ yếu lồng ghép từ Chương trình MTQG giảm nghèo "
            "và an sinh xã hội bền vững và Chương trình phát triển kinh tế - xã hội vùng đồng bào dân tộc và miền núi; "
            "đề nghị các địa phương chủ động lồng ghép, huy động các nguồn lực để thực hiện các mục tiêu đã phê duyệt."
        ),
        "tasks": [],
    },
    {
        "reference": "4.(3)", "from_districts": ["095", "100", "102"],
        "content": (
            "Sớm cho chủ trương tháo gỡ khó khăn, vướng mắc về lưới điện (cấp điện cho một số bản chưa có điện); Sở "
            "NN&PTNT tổ chức hội nghị, hội thảo cho các chủ thể triển khai Chương trình OCOP."
        ),
        "response": (
            "Về cấp điện cho một số bản chưa có điện: UBND tỉnh giao Sở Công Thương chủ trì, phối hợp các sở, ngành tham "
            "mưu giải quyết. Về hội nghị, hội thảo Chương trình OCOP: giao Sở NN&PTNT, Văn phòng Điều phối nông thôn mới "
            "phối hợp UBND các huyện triển khai thực hiện trong thời gian tới."
        ),
        "tasks": [
            {
                "reference": "4.(3)a",
                "content": "Tham mưu giải quyết việc cấp điện cho một số bản chưa có điện ở các địa phương.",
                "lead_agency": "SCT", "districts": ["095", "100", "102"], "due_label": "6 tháng cuối năm 2021",
                "note": IMPLIED_PERIOD_NOTE,
            },
            {
                "reference": "4.(3)b",
                "content": "Tổ chức hội nghị, hội thảo cho các chủ thể triển khai Chương trình OCOP.",
                "lead_agency": "SNNPTNT", "coordinating_agencies": ["VPDP"], "districts": ALL_DISTRICTS,
                "due_label": "6 tháng cuối năm 2021",
                "note": "Thông báo ghi “trong thời gian tới”. " + IMPLIED_PERIOD_NOTE,
            },
        ],
    },
    {
        "reference": "4.(4)", "from_districts": ["100"],
        "content": (
            "Có cơ chế hỗ trợ, khuyến khích, khen thưởng đối với các địa phương đạt chuẩn nông thôn mới, nông thôn mới "
            "nâng cao, kiểu mẫu."
        ),
        "response": (
            "UBND tỉnh tiếp thu; giao Sở NN&PTNT phối hợp Ban Thi đua - Khen thưởng tỉnh, các đơn vị liên quan nghiên "
            "cứu, đề xuất cơ chế khen thưởng trong “Phong trào thi đua chung sức xây dựng nông thôn mới tỉnh Điện Biên "
            "giai đoạn 2021-2025”."
        ),
        "tasks": [
            {
                "reference": "4.(4)",
                "content": (
                    "Nghiên cứu, đề xuất cơ chế khen thưởng đối với các địa phương đạt chuẩn nông thôn mới, nâng cao, "
                    "kiểu mẫu trong Phong trào thi đua “Chung sức xây dựng nông thôn mới” giai đoạn 2021-2025."
                ),
                "lead_agency": "SNNPTNT", "coordinating_agencies": ["BTDKT"], "due_label": "6 tháng cuối năm 2021",
                "note": IMPLIED_PERIOD_NOTE,
            },
        ],
    },
    {
        "reference": "4.(5)", "from_districts": ["102"],
        "content": "Hỗ trợ xóa nhà tạm, nhà dột nát cho địa phương.",
        "response": (
            "Ngoài chính sách hỗ trợ xóa nhà tạm, dột nát theo quy định của Nhà nước, đề nghị UBND huyện Mường Ảng chủ "
            "động huy động các nguồn lực để hỗ trợ các hộ gia đình xóa nhà tạm, dột nát."
        ),
        "tasks": [],
    },
    {
        "reference": "4.(6)", "from_agencies": ["LMHTX"],
        "content": "Đa số hợp tác xã mong muốn được hỗ trợ 50% kinh phí mua máy móc, thiết bị.",
        "response": (
            "UBND tỉnh giao Liên minh Hợp tác xã tỉnh chủ trì, phối hợp các sở, ngành liên quan nghiên cứu, đề xuất, "
            "xây dựng chính sách hỗ trợ máy móc, thiết bị, nhà xưởng cho các hợp tác xã để nâng cao năng lực sản xuất "
            "hàng hóa theo chuỗi giá trị gắn với sản phẩm OCOP và phát triển hợp tác xã."
        ),
        "tasks": [
            {
                "reference": "4.(6)",
                "content": (
                    "Nghiên cứu, đề xuất, xây dựng chính sách hỗ trợ máy móc, thiết bị, nhà xưởng cho các hợp tác xã, "
                    "nâng cao năng lực sản xuất hàng hóa theo chuỗi giá trị gắn với sản phẩm OCOP."
                ),
                "lead_agency": "LMHTX", "coordinating_agencies": ["SKHDT", "STC"], "due_label": "6 tháng cuối năm 2021",
                "note": (
                    "Thông báo ghi “phối hợp với các Sở, ngành liên quan”; ghi Sở KH&ĐT (quản lý nhà nước về kinh tế "
                    "tập thể) và Sở Tài chính (kinh phí hỗ trợ) làm cơ quan phối hợp. " + IMPLIED_PERIOD_NOTE
                ),
            },
        ],
    },
]

# (task reference, author username, time in Điện Biên, status, note)
UPDATES = [
    ("3.(7)", "snn", datetime(2021, 8, 30, 9, 0, tzinfo=PROVINCE_TIME_ZONE), TaskStatus.IN_PROGRESS,
     "Đã xây dựng dự thảo Kế hoạch phát triển sản phẩm OCOP, gửi lấy ý kiến các sở, ngành và UBND các huyện."),
    ("3.(7)", "snn", datetime(2021, 9, 24, 15, 0, tzinfo=PROVINCE_TIME_ZONE), TaskStatus.DONE,
     "Đã hoàn thiện dự thảo Kế hoạch theo ý kiến góp ý và trình UBND tỉnh ban hành."),
    ("3.(2)", "tuangiao", datetime(2021, 9, 15, 10, 30, tzinfo=PROVINCE_TIME_ZONE), TaskStatus.IN_PROGRESS,
     "Huyện Tuần Giáo đã xây dựng Kế hoạch, chọn xã phấn đấu đạt chuẩn nông thôn mới năm 2021; đang rà soát các tiêu "
     "chí chưa đạt."),
    ("4.(4)", "snn", datetime(2021, 10, 12, 14, 0, tzinfo=PROVINCE_TIME_ZONE), TaskStatus.IN_PROGRESS,
     "Đã làm việc với Ban Thi đua - Khen thưởng tỉnh; đang dự thảo nội dung khen thưởng trong Phong trào thi đua giai "
     "đoạn 2021-2025."),
]


def _document(staff, spec) -> tuple[Document, bool]:
    existing = Document.objects.filter(number=spec["number"]).first()
    if existing is not None:
        return existing, False
    summary = spec.get("summary") or (CITED_NOTE if spec["number"] != NOTICE["number"] else "")
    values = {key: value for key, value in spec.items() if key != "summary"}
    return services.document_create(by=staff, summary=summary, **values), True


def load(stdout):
    staff = User.objects.filter(username="vanphong").first()
    if staff is None or not District.objects.filter(code__in=ALL_DISTRICTS).exists():
        stdout.write("Chỉ đạo, điều hành: bỏ qua (chưa có đơn vị hành chính hoặc người dùng mẫu).")
        return
    for code, name, kind in EXTRA_AGENCIES:
        if not Agency.objects.filter(code=code).exists():
            services.agency_create(by=staff, code=code, name=name, kind=kind)

    created = {"documents": 0, "tasks": 0, "recommendations": 0, "updates": 0}
    notice, is_new = _document(staff, NOTICE)
    created["documents"] += is_new
    for spec in CITED_DOCUMENTS:
        created["documents"] += _document(staff, spec)[1]

    for spec in SECTION_3_TASKS:
        if not Task.objects.filter(document=notice, reference=spec["reference"]).exists():
            services.task_create(by=staff, document=notice, **spec)
            created["tasks"] += 1

    responded_at = datetime(2021, 8, 16, 8, 0, tzinfo=PROVINCE_TIME_ZONE)
    for spec in RECOMMENDATIONS:
        if Recommendation.objects.filter(document=notice, reference=spec["reference"]).exists():
            continue
        recommendation = services.recommendation_create(
            by=staff, document=notice, meeting=MEETING, reference=spec["reference"], content=spec["content"],
            from_districts=spec.get("from_districts", []), from_agencies=spec.get("from_agencies", []),
        )
        services.recommendation_respond(
            by=staff, recommendation=recommendation, response=spec["response"], at=responded_at, tasks=spec["tasks"]
        )
        created["recommendations"] += 1
        created["tasks"] += len(spec["tasks"])

    authors = {user.username: user for user in User.objects.filter(username__in={row[1] for row in UPDATES})}
    for reference, username, at, status, note in UPDATES:
        task = Task.objects.filter(document=notice, reference=reference).first()
        author = authors.get(username)
        if task is None or author is None or task.updates.filter(at__gte=at).exists():
            continue
        services.task_update_create(by=author, task=task, note=note, status=status, at=at)
        created["updates"] += 1

    stdout.write(
        "Chỉ đạo, điều hành: {documents} văn bản, {tasks} nhiệm vụ, {recommendations} kiến nghị, "
        "{updates} báo cáo tiến độ mới.".format(**created)
    )
