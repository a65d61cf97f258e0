"""The 13 fixed category codes and the Chinese names the menu shows."""

CATEGORIES: dict[str, str] = {
    "marriage": "婚姻家庭",
    "inheritance": "继承",
    "elderly": "赡养与老人权益",
    "land": "土地承包与宅基地",
    "labor": "劳动用工与工伤",
    "debt": "借贷与担保",
    "traffic": "交通事故",
    "neighbor": "邻里纠纷与损害赔偿",
    "consumer": "消费与农资维权",
    "contract": "合同买卖租赁",
    "security": "治安与防诈骗",
    "procedure": "诉讼调解仲裁与法律援助",
    "admin": "行政村务与信访",
}

CATEGORY_CODES: list[str] = list(CATEGORIES)


def category_name(code: str | None) -> str:
    return CATEGORIES.get(code or "", "")
