from registry.holders import normalise_name


def test_names_compare_without_spaces_width_or_dot_variants() -> None:
    assert normalise_name(" 张 晓明 ") == normalise_name("张晓明") == "张晓明"
    assert normalise_name("张\u3000晓明") == "张晓明"  # ideographic space
    assert normalise_name("Ｌｉ　Ｍｉｎｇ") == "LiMing"  # full-width Latin
    dotted = "阿依古丽·买买提"
    for typed in ("阿依古丽・买买提", "阿依古丽•买买提", "阿依古丽 · 买买提", "阿依古丽‧买买提"):
        assert normalise_name(typed) == dotted, typed
    assert normalise_name("张晓明") != normalise_name("张小明")
