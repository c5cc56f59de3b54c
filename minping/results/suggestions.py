"""Residents' suggestions summarised by theme: Chinese word segmentation (jieba) and TF-IDF keyword extraction
over the (already masked) free-text answers, each theme with the number of answers that mention it."""

import functools

STOP = {"社区", "希望", "建议", "没有", "问题", "工作", "一些", "可以", "能够", "进一步", "加强", "谢谢", "＊＊"}


@functools.cache
def _analyse():
    import jieba
    import jieba.analyse

    jieba.setLogLevel(60)
    return jieba.analyse


def themes(texts: list[str], top: int = 8) -> list[dict]:
    """[{"theme": keyword, "answers": how many answers mention it}], most mentioned first."""
    if not texts:
        return []
    keywords = _analyse().extract_tags("\n".join(texts), topK=top * 3, allowPOS=("n", "vn", "v", "a", "an", "nz", "ns"))
    counted = [(word, sum(1 for t in texts if word in t)) for word in keywords if word not in STOP and len(word) >= 2]
    counted.sort(key=lambda item: -item[1])
    return [{"theme": word, "answers": n} for word, n in counted[:top] if n >= 2]
