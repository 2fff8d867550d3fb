"""Which provincial department each department service belongs to (§五, §六).

The one table the department workspace and the S&T status rules read. Department codes are those
of `accounts.Department`, kept as plain strings (domain is pure):

- 职称评审申报 → 省人社厅: "省人力资源社会保障厅负责职称申报评审相关工作" (§五);
- 科技项目申报 → 省科技厅: "省科技厅负责鼓励支持帮扶专家团队申报省级科技计划项目" (§五);
- 医保政策培训 → 省医保局: "省医保局负责……积极指导医院医保部门帮助帮扶专家掌握贵州省……医保待遇政策"
  (§五);
- 指导专家聘书 → 省卫健委: "对帮扶医院主要负责人，由省卫生健康委发放东西部协作指导专家聘书" (§六).
"""

from __future__ import annotations

from enum import StrEnum


class DepartmentService(StrEnum):
    TITLE_APPLICATIONS = "title_applications"
    SCITECH_APPLICATIONS = "scitech_applications"
    INSURANCE_BRIEFINGS = "insurance_briefings"
    APPOINTMENT_LETTERS = "appointment_letters"


SERVICE_LABELS: dict[DepartmentService, str] = {
    DepartmentService.TITLE_APPLICATIONS: "职称评审申报",
    DepartmentService.SCITECH_APPLICATIONS: "科技项目申报",
    DepartmentService.INSURANCE_BRIEFINGS: "医保政策培训",
    DepartmentService.APPOINTMENT_LETTERS: "东西部协作指导专家聘书",
}

SERVICE_CLAUSES: dict[DepartmentService, str] = {
    DepartmentService.TITLE_APPLICATIONS: "§五 省人力资源社会保障厅负责职称申报评审相关工作",
    DepartmentService.SCITECH_APPLICATIONS: "§五 省科技厅负责鼓励支持帮扶专家团队申报省级科技计划项目",
    DepartmentService.INSURANCE_BRIEFINGS: "§五 省医保局积极指导医院医保部门帮助帮扶专家掌握医保待遇政策",
    DepartmentService.APPOINTMENT_LETTERS: "§六 对帮扶医院主要负责人，由省卫生健康委发放东西部协作指导专家聘书",
}

# Each service has exactly one department (a dict keyed by service cannot say otherwise).
SERVICE_DEPARTMENT: dict[DepartmentService, str] = {
    DepartmentService.TITLE_APPLICATIONS: "human_resources",
    DepartmentService.SCITECH_APPLICATIONS: "science",
    DepartmentService.INSURANCE_BRIEFINGS: "healthcare_security",
    DepartmentService.APPOINTMENT_LETTERS: "health",
}


def department_services(department: str) -> tuple[DepartmentService, ...]:
    """The services a department handles, in the order of `DepartmentService` (none for the
    departments §五 gives no service of this platform, e.g. 省委组织部: their workspace holds
    only the problems routed to them)."""
    return tuple(s for s in DepartmentService if SERVICE_DEPARTMENT[s] == department)


def service_department(service: DepartmentService) -> str:
    """The department whose duty the service is (§五, §六)."""
    return SERVICE_DEPARTMENT[service]


def may_record_title_result(role: str, department: str) -> bool:
    """The evaluation result of a title application is recorded by the 省人社厅, whose duty the
    evaluation is (§五), through its department accounts, or by the province office relaying it."""
    if role == "province":
        return True
    hrss = service_department(DepartmentService.TITLE_APPLICATIONS)
    return role == "observer" and department == hrss


TITLE_RESULT_ALREADY_RECORDED = "该申报已登记评审结果，不能再次登记"


def title_result_recordable(status: str) -> str | None:
    """Why the result of an application in `status` cannot be recorded, or None: a result is
    recorded once, on a submitted application; a recorded result is never silently rewritten."""
    return None if status == "submitted" else TITLE_RESULT_ALREADY_RECORDED
