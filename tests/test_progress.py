import pytest

from skfti._progress import loss_bar, progress_bar


def test_progress_bar_is_silent_below_verbose_1(capsys):
    with progress_bar(3, 0, desc="children") as bar:
        assert bar is None
    with loss_bar(10, 0) as update:
        assert update is None
    assert capsys.readouterr() == ("", "")


def test_progress_bar_counts_items(capsys):
    with progress_bar(3, 1, desc="children", unit="child") as bar:
        for _ in range(3):
            bar.update(1)
        assert bar.n == 3
    err = capsys.readouterr().err
    assert "children" in err and "3/3" in err and "child" in err


def test_loss_bar_shows_the_loss_and_caps_the_step(capsys):
    with loss_bar(100, 2) as update:
        update(40, 0.123456)
        update(250, 0.05)  # past the end: capped at total
    err = capsys.readouterr().err
    assert "value network" in err and "100/100" in err and "loss=0.0500" in err


def test_bars_close_on_error(capsys):
    with pytest.raises(RuntimeError), progress_bar(2, 1, desc="x") as bar:
        bar.update(1)
        raise RuntimeError
    assert "1/2" in capsys.readouterr().err
