# Loads the C++-built int8 module in Python and runs it; then under the other engine.
import sys, torch
for engine in ['onednn', 'qnnpack']:
    torch.backends.quantized.engine = engine
    m = torch.jit.load('int8.pt')
    x = torch.load('x.pt'); y = torch.load('y_cpp.pt')
    out = m(x)
    print(engine, 'python vs C++ max abs diff', (out - y).abs().max().item(), 'shape', tuple(out.shape))
print(m.code)
