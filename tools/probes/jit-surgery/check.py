import torch, sys, glob
for f in sorted(sys.argv[1:]):
    try:
        m = torch.jit.load(f)
        shp = (2,3,32,32)
        y = m(torch.randn(*shp)); y2 = m(torch.randn(3,3,40,40))
        ps = {n: (tuple(p.shape), p.requires_grad) for n, p in m.named_parameters()}
        info = ""
        if hasattr(m, "block1"):
            info = f" block1.dw.weight={ps.get('block1.dw.weight')} fc.weight={ps.get('fc.weight')}"
            try: info += f" conv1.in/out_channels const={m.conv1.out_channels}"
            except Exception as e: info += " (no out_channels attr)"
        print(f"OK   {f}: out {tuple(y.shape)} / {tuple(y2.shape)}{info}")
    except Exception as e:
        print(f"FAIL {f}: {type(e).__name__}: {str(e).strip().splitlines()[-1]}")
