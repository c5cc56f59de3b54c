"""Masking of free text before anyone reads it: mobile and landline numbers, ID numbers, and names of people
(the campaign's subjects, and what Chinese word segmentation tags as a personal name)."""

import functools
import re

ID_RE = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[0-9]{7}[0-9Xx](?![0-9])")
PHONE_RE = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")
MASK = "＊＊"


@functools.cache
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg


def mask(text: str, names: tuple[str, ...] = ()) -> str:
    text = ID_RE.sub("[身份证号]", text)
    text = PHONE_RE.sub("[电话]", text)
    for name in sorted(names, key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, name[0] + MASK)
    if not re.search(r"[\u4e00-\u9fff]", text):
        return text
    out = []
    for word, flag in _posseg().cut(text):
        out.append(word[0] + MASK if flag == "nr" and len(word) >= 2 and MASK not in word else word)
    return "".join(out)
