# Shared definitions of the GCS NAT lab (sourced by lab-up.sh and lab-down.sh). Every name starts with $LAB_PREFIX so
# the lab never touches anything it did not create.
LAB_PREFIX=${LAB_PREFIX:-gcsl-}
LAB_NET=203.0.113            # TEST-NET-3: the lab's fake internet
LAB_NODE_IP=$LAB_NET.10      # the GCS node (TLS + STUN)
LAB_TURN_IP=$LAB_NET.20      # coturn
LAB_HOLE_IP=$LAB_NET.254     # every public default route ends here, in a namespace that drops everything
# device:kind:public host number:LAN number (192.168.N.0/24 behind a NAT; 0 = no LAN, the device is public)
LAB_DEVICES="none1:none:101:0 none2:none:102:0 cone1:cone:103:3 cone2:cone:104:4
             sym1:symmetric:105:5 sym2:symmetric:106:6 fw1:firewall:107:0 fw2:firewall:108:0"
