package org.gcs.routing.central;

import org.gcs.api.routing.Router;
import org.gcs.contracts.RouterContract;

/** Runs the {@link RouterContract} against {@link CentralRouter}. */
class CentralRouterTest extends RouterContract {
    @Override
    protected Router newRouter() {
        return new CentralRouter();
    }
}
