crit convert --level x demo x.tar.zst
