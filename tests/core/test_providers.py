import pytest

from nearby.core.inference import providers
from nearby.core.inference.providers import candidate_providers


def test_fastest_available_first_and_cpu_always_last() -> None:
    available = ["CPUExecutionProvider", "CoreMLExecutionProvider", "CUDAExecutionProvider"]
    assert candidate_providers(available) == ["CUDAExecutionProvider", "CoreMLExecutionProvider",
                                              "CPUExecutionProvider"]
    assert candidate_providers([]) == ["CPUExecutionProvider"]


def test_env_var_forces_a_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEARBY_PROVIDER", "cpu")
    assert candidate_providers(["CUDAExecutionProvider", "CPUExecutionProvider"]) == ["CPUExecutionProvider"]


def test_a_provider_that_fails_to_start_falls_back_to_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    import onnxruntime as ort

    tried: list[list[str]] = []

    class Session:
        def __init__(self, path: str, sess_options: object, providers: list[str]) -> None:
            tried.append(providers)
            if providers[0] != "CPUExecutionProvider":
                raise RuntimeError("libcudnn.so.9: cannot open shared object file")
            self.providers = providers

    monkeypatch.setattr(ort, "get_available_providers", lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    monkeypatch.setattr(ort, "InferenceSession", Session)
    session = providers.create_session("model.onnx")
    assert tried == [["CUDAExecutionProvider", "CPUExecutionProvider"], ["CPUExecutionProvider"]]
    assert session.providers == ["CPUExecutionProvider"]  # type: ignore[attr-defined]
