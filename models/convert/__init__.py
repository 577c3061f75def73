"""Install-time converters: registry checkpoints turned into ONNX with numpy alone (not needed at run time)."""
